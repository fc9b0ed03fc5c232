// The page's elements, looked up by id for the modules that fill them in.

/** The page's element `id` (index.html has every id these modules ask for). */
export const $ = (/** @type {string} */ id) =>
  /** @type {HTMLElement} */ (document.getElementById(id));
