/** The problem types of the metadata capability (issue 3). */
import { defineProblem } from '../shared/errors.ts';

export const metadataProblems = {
  invalidDefinition: defineProblem({ type: 'invalid-definition', status: 422, title: 'The definition is not valid' }),
  entityNotFound: defineProblem({ type: 'entity-not-found', status: 404, title: 'Unknown entity' }),
  fieldNotFound: defineProblem({ type: 'field-not-found', status: 404, title: 'Unknown field' }),
  entityExists: defineProblem({ type: 'entity-exists', status: 409, title: 'An entity with this name already exists' }),
  versionConflict: defineProblem({ type: 'metadata-version-conflict', status: 412, title: 'The definition changed since you read it' }),
  inUse: defineProblem({ type: 'metadata-in-use', status: 409, title: 'Other definitions depend on this one' }),
  archiveNotFound: defineProblem({ type: 'archive-entry-not-found', status: 404, title: 'Archived field or entity not found' }),
  fieldLocked: defineProblem({ type: 'field-being-converted', status: 409, title: 'This field is being converted' }),
  uniqueConflict: defineProblem({ type: 'unique-conflict', status: 409, title: 'Existing records hold duplicate values' }),
};
