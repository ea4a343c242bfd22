export * from './alert-codec';
export * from './failover-flush.store';
export * from './failover-group.store';
export * from './keys';
export * from './lua-scripts';
export * from './redis-connection';
export * from './redis-group.store';
export * from './redis-flush.store';
