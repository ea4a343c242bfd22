/** The Lua script loader shared by every library that talks to Redis (no dependencies of its own). */
export * from './lua-loader';
