import { createRequire } from 'node:module';

/**
 * Building blocks of the on-demand shims of AWS SDK clients (see on-demand.ts): a function's bundle
 * imports the shim in place of the client package, and the package itself is required from a file
 * beside the bundle when the function first sends a command, so a cold start that never calls the
 * service never loads the SDK.
 */
type SdkModule = Record<string, unknown>;

const load = createRequire(import.meta.url);

/** The client package, required from `file` beside the bundle on first use; `loaded()` never loads it. */
export function sdkOnDemand(file: string) {
  let module: SdkModule | undefined;
  return {
    load: (): SdkModule => {
      module ??= load(`./${file}`) as SdkModule;
      return module;
    },
    loaded: (): SdkModule | undefined => module,
  };
}

type OnDemand = ReturnType<typeof sdkOnDemand>;
type Constructor = new (...args: unknown[]) => { send(command: unknown): Promise<unknown>; config: unknown };

/** A command: holds its input and its name; the client builds the real command from them. */
export function lazyCommand(name: string) {
  return class {
    readonly commandName = name;
    constructor(readonly input: unknown) {}
  };
}

/**
 * A client: the real client is built with the same configuration on the first `send`, or the first
 * read of its resolved `config` (the SES sender reads its region just before it sends).
 */
export function lazyClient(sdk: OnDemand, name: string) {
  return class {
    #real: InstanceType<Constructor> | undefined;
    constructor(readonly configuration: unknown = {}) {}
    #client(): InstanceType<Constructor> {
      this.#real ??= new (sdk.load()[name] as Constructor)(this.configuration);
      return this.#real;
    }
    get config(): unknown {
      return this.#client().config;
    }
    send(command: { commandName: string; input: unknown }): Promise<unknown> {
      const real = this.#client();
      const Command = sdk.load()[command.commandName] as new (input: unknown) => unknown;
      return real.send(new Command(command.input));
    }
  };
}

/**
 * An exception class for `instanceof`: true for the real class's instances once the package is loaded
 * (before that, nothing can have thrown one).
 */
export function lazyException(sdk: OnDemand, name: string) {
  return {
    [Symbol.hasInstance](value: unknown): boolean {
      const module = sdk.loaded();
      return module !== undefined && value instanceof (module[name] as Constructor);
    },
  };
}
