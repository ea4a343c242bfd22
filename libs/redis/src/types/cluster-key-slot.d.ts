// Types for `cluster-key-slot` (ioredis' own slot function; the package ships none).
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0..16383) of a key, honouring its `{hash tag}`. */
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The common slot of several keys, or -1 when they do not all share one. */
    function generateMulti(keys: (string | Buffer)[]): number;
  }
  export = calculateSlot;
}
