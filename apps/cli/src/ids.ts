import { UsageError } from './args';

/** At most this many candidates are named when a prefix is ambiguous. */
const MAX_LISTED = 10;

/**
 * The one id of `candidates` that `given` names: itself, or the only one it is a prefix of (as git
 * takes abbreviated hashes). Throws when none or several match, naming them, so a command never acts
 * on the wrong object. `what` names the kind in messages (`dead letter`, `silence`).
 */
export function resolveIdPrefix(given: string, candidates: Iterable<string>, what: string): string {
  const all = [...new Set(candidates)];
  if (all.includes(given)) return given;
  const matches = all.filter((id) => id.startsWith(given)).sort();
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new IdNotFoundError(`no ${what} with id ${JSON.stringify(given)}`);
  const listed = matches.slice(0, MAX_LISTED).join(', ');
  const more = matches.length > MAX_LISTED ? ` and ${matches.length - MAX_LISTED} more` : '';
  throw new UsageError(
    `${JSON.stringify(given)} is ambiguous: ${matches.length} ${what} ids start with it (${listed}${more}); give more of the id`,
  );
}

/** No object has the id (nor an id starting with it): a runtime error (exit 1), not a usage error. */
export class IdNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdNotFoundError';
  }
}
