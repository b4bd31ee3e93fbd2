// The runtime's error type: a stable code and the HTTP status it maps to.
import { CodedError } from '@hvs-nvm/events';

export class RuntimeError extends CodedError {}
