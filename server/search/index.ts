/** Global search across every entity a user can read (issue 8), and record titles. */
export { searchRoutes } from './search.routes.ts';
export { titleOf, titlesOf } from './record-titles.ts';
