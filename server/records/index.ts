export type { RecordsService } from './records.service.ts';
export type { ApiRecord } from './record-view.ts';
export type { WriteContext, EventSink } from './computed-values.ts';
export type { Channel, ChangeEvent } from './change-events.ts';
export { createRecordsService } from './records.service.ts';
export { recordsRoutes } from './records.routes.ts';
export { filesRoutes } from './files/files.routes.ts';
export { recordProblems } from './records.problems.ts';
