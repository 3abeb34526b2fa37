import { createRequire } from 'node:module';

interface LevelIterator {
  close(): Promise<void>;
  return?: () => Promise<IteratorReturnResult<undefined>>;
}
type IteratorClass = { prototype: LevelIterator };
interface AbstractLevelModule {
  AbstractIterator: IteratorClass;
  AbstractKeyIterator: IteratorClass;
  AbstractValueIterator: IteratorClass;
}

/**
 * dynalite 4.0.0 turns its LevelDB iterators into streams whose destroy() closes the iterator with
 * `iterator.return()`, the async-iterator protocol's method; abstract-level 3's iterators (classic-level
 * on disk, memory-level in memory) have `close()` only, so every Query, Scan and ListTables left its
 * iterator open, registered with the database, with LevelDB's snapshot under it: ~12 KB a Query, never
 * freed while the runtime ran. Giving the iterators a `return` that closes them is the method dynalite
 * looks for; where a later abstract-level has one of its own, it is left as it is. Idempotent.
 */
export function closeDynaliteIteratorsOnDestroy(): void {
  for (const level of dynaliteLevelModules()) {
    for (const Iterator of [level.AbstractIterator, level.AbstractKeyIterator, level.AbstractValueIterator]) {
      if (typeof Iterator.prototype.return === 'function') continue;
      Object.defineProperty(Iterator.prototype, 'return', {
        configurable: true,
        writable: true,
        value: async function (this: LevelIterator): Promise<IteratorReturnResult<undefined>> {
          await this.close();
          return { done: true, value: undefined };
        },
      });
    }
  }
}

/**
 * Where abstract-level is for dynalite's two stores: `level` (classic-level) on disk, memory-level in
 * memory; one path when npm installed a single copy.
 */
export function dynaliteAbstractLevelPaths(): string[] {
  const resolve = (from: string, name: string) => createRequire(from).resolve(name);
  const dynalite = resolve(import.meta.url, 'dynalite');
  return [
    ...new Set([
      resolve(resolve(resolve(dynalite, 'level'), 'classic-level'), 'abstract-level'),
      resolve(resolve(dynalite, 'memory-level'), 'abstract-level'),
    ]),
  ];
}

function dynaliteLevelModules(): AbstractLevelModule[] {
  const load = createRequire(import.meta.url);
  return dynaliteAbstractLevelPaths().map((path) => load(path) as AbstractLevelModule);
}
