declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** dynalite's options (see its readme); only the ones Threadline uses. */
  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
