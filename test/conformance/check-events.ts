// `expectEvents` for command monitoring events. CMAP and SDAM expectations are not checked (the
// issue only asks for results, errors and outcome), so they never fail a test.
import type { Doc, ExpectedEventsForClient } from './unified-format.types.ts';
import type { EntityMap, ObservedEvent } from './entities.ts';
import { describeValue } from './bson-compare.ts';
import { matchResult, type MatchOptions } from './match-result.ts';

/** Returns why the observed command events differ from `expected`, or undefined. */
export function checkEvents(expected: ExpectedEventsForClient[], entities: EntityMap, options: MatchOptions): string | undefined {
  for (const forClient of expected) {
    if ((forClient.eventType ?? 'command') !== 'command') continue;
    const { events } = entities.get(forClient.client, 'client');
    const failure = matchEventList(forClient, events, options);
    if (failure) return `events of ${forClient.client}: ${failure}`;
  }
  return undefined;
}

function matchEventList(forClient: ExpectedEventsForClient, actual: ObservedEvent[], options: MatchOptions): string | undefined {
  const expected = forClient.events;
  const countOk = forClient.ignoreExtraEvents ? actual.length >= expected.length : actual.length === expected.length;
  if (!countOk) {
    return `expected ${expected.length} event(s), got ${actual.length}: ${actual.map(summary).join(', ') || 'none'}`;
  }
  for (let i = 0; i < expected.length; i += 1) {
    const failure = matchEvent(expected[i], actual[i], options);
    if (failure) return `event ${i} (${summary(actual[i])}): ${failure}`;
  }
  return undefined;
}

function summary(event: ObservedEvent): string {
  return `${event.type.replace('Event', '')} ${event.commandName}`;
}

function matchEvent(expected: Doc, actual: ObservedEvent, options: MatchOptions): string | undefined {
  const [type] = Object.keys(expected);
  if (type !== actual.type) return `expected a ${type}`;
  const spec = expected[type] as Doc;
  if (spec.commandName !== undefined && spec.commandName !== actual.commandName) {
    return `expected commandName ${String(spec.commandName)}`;
  }
  if (spec.databaseName !== undefined && spec.databaseName !== actual.databaseName) {
    return `expected databaseName ${String(spec.databaseName)}, got ${actual.databaseName}`;
  }
  if (spec.command !== undefined) {
    const failure = matchResult(spec.command, actual.command, options);
    if (failure) return `command ${failure} in ${describeValue(actual.command)}`;
  }
  if (spec.reply !== undefined) {
    const failure = matchResult(spec.reply, actual.reply, options);
    if (failure) return `reply ${failure}`;
  }
  return undefined;
}
