export * from './inhibit-rule';
export * from './inhibition-index';
export * from './inhibitor';
