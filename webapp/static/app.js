// Starts GOV.UK Frontend's components (error summary focus, double-click prevention on buttons, conditional reveals...).
// The pages work without it; the template adds the govuk-frontend-supported class only in browsers that run modules.
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();
