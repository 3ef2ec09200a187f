/** The problem types of the import capability (issue 5). */
import { defineProblem } from '../shared/errors.ts';

export const importProblems = {
  invalidMapping: defineProblem({ type: 'invalid-import-mapping', status: 422, title: 'The column mapping is not valid' }),
  invalidImport: defineProblem({ type: 'invalid-import', status: 400, title: 'The import request is not valid' }),
  importNotFound: defineProblem({ type: 'import-not-found', status: 404, title: 'Unknown import' }),
  mappingNotFound: defineProblem({ type: 'import-mapping-not-found', status: 404, title: 'Unknown column mapping' }),
  columnsMissing: defineProblem({ type: 'import-columns-missing', status: 422, title: "The file's first row does not have the mapped columns" }),
  malformedCsv: defineProblem({ type: 'malformed-csv', status: 422, title: 'The file is not CSV this importer can read' }),
  uploadInterrupted: defineProblem({ type: 'import-upload-interrupted', status: 400, title: 'The upload stopped before the end of the file' }),
};
