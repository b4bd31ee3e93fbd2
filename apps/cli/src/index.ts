// Public face of the `hvs-nvm` package: the library API of the workspace's packages in one import, beside the bin.
// Where two packages export the same name, the first below wins and the other is renamed after its store.
export * from '@hvs-nvm/hvs';
export * from '@hvs-nvm/nvm';
export { InvalidArgumentError, hyperboloidDistance } from '@hvs-nvm/hvs';
// NVM's InvalidArgumentError is the same class (one bad-argument error for every lib); the old alias stays.
export { InvalidArgumentError as NVMInvalidArgumentError } from '@hvs-nvm/nvm';
export * from '@hvs-nvm/hvs-nvm';
export * from '@hvs-nvm/encoders';
export * from '@hvs-nvm/hyperbolic';
export { CodedError } from '@hvs-nvm/events';
export { createServer, serveMcpStdio, type ServerOptions, type RunningServer } from '@hvs-nvm/server-app';
