// Public face of @hvs-nvm/files: durable checkpoint files (write, fsync, rename, fsync the folder) and their CRC-32.
export {
  crc32File,
  crc32Of,
  fsyncFile,
  readChecked,
  writeCheckpointFile,
  writeDurably,
  type FileContent,
  type WrittenFile,
} from './durable-file.js';
export {
  archiveCheckpoint,
  archiveRootOf,
  listArchivedCheckpoints,
  nearestArchivedCheckpoint,
  retainedCheckpoints,
  DEFAULT_CHECKPOINT_RETENTION,
  type ArchivedCheckpoint,
  type CheckpointRetention,
} from './checkpoint-archive.js';
