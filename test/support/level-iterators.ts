import { createRequire } from 'node:module';
import { dynaliteAbstractLevelPaths } from '#shared/local/level-iterators.js';

interface Resource {
  close(): Promise<void>;
}
interface LevelModule {
  AbstractLevel: { prototype: { attachResource(r: Resource): void; detachResource(r: Resource): void } };
  AbstractIterator: new (...args: never[]) => Resource;
  AbstractKeyIterator: new (...args: never[]) => Resource;
  AbstractValueIterator: new (...args: never[]) => Resource;
}

function levelModules(): LevelModule[] {
  const load = createRequire(import.meta.url);
  return dynaliteAbstractLevelPaths().map((path) => load(path) as LevelModule);
}

const open = new Set<Resource>();
let watching = false;

/**
 * Counts the LevelDB iterators open in this process from now on: every one registers with its database
 * when made and leaves when closed (abstract-level's attachResource/detachResource), so the count is
 * the number the stores hold, exactly, with no memory threshold. Answers the count once the closes in
 * flight have settled (a stream's close finishes a tick or two after dynalite answers).
 */
export function watchLevelIterators(): () => Promise<number> {
  if (!watching) {
    watching = true;
    for (const level of levelModules()) {
      const isIterator = (r: object) =>
        r instanceof level.AbstractIterator ||
        r instanceof level.AbstractKeyIterator ||
        r instanceof level.AbstractValueIterator;
      const { attachResource, detachResource } = level.AbstractLevel.prototype;
      level.AbstractLevel.prototype.attachResource = function (r) {
        if (isIterator(r)) open.add(r);
        return attachResource.call(this, r);
      };
      level.AbstractLevel.prototype.detachResource = function (r) {
        open.delete(r);
        return detachResource.call(this, r);
      };
    }
  }
  return async () => {
    for (let i = 0; i < 20 && open.size > 0; i++) await new Promise((resolve) => setImmediate(resolve));
    return open.size;
  };
}
