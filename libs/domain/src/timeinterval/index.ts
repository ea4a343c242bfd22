export { checkZone, wallClock, LOCAL_ZONE, UTC_ZONE, type WallClock } from './wall-clock';
export * from './time-interval';
export * from './route-time-intervals';
