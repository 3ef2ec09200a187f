// Tests the Node.js driver cannot pass whatever the server does, skipped with the driver's own
// ticket, as the driver's unified runner skips them (test/integration/crud/crud.spec.test.ts).

const NULL_ID = 'the Node.js driver replaces a null _id by a new ObjectId before sending (NODE-6468, DRIVERS-2124)';

const DEVIATIONS: Record<string, string> = {
  'create-null-ids.json > inserting _id with type null via insertOne': NULL_ID,
  'create-null-ids.json > inserting _id with type null via insertMany': NULL_ID,
  'create-null-ids.json > inserting _id with type null via bulkWrite': NULL_ID,
  'create-null-ids.json > inserting _id with type null via clientBulkWrite': NULL_ID,
};

/** Why the driver cannot run this test, or undefined. */
export function driverDeviation(file: string, test: string): string | undefined {
  return DEVIATIONS[`${file} > ${test}`];
}
