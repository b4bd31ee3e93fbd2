// Public face of @hvs-nvm/encoders: the Encoder port, the offline default encoder and a hashing encoder.
export type { Encoder } from './encoder.js';
export { defaultEncoder, SENTENCE_ENCODER_DIMENSION, SENTENCE_ENCODER_NAME, type DefaultEncoderOptions } from './sentence-encoder.js';
export { HashingEncoder, hashingEncoder, DEFAULT_HASHING_DIMENSION, type HashingEncoderOptions } from './hashing-encoder.js';
export {
  EncoderError,
  EncoderUnavailableError,
  InvalidEncoderInputError,
  InvalidEncoderOptionError,
  type EncoderErrorOptions,
} from './errors.js';
