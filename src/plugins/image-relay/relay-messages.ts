import type { ErrorCode, ErrorDetails } from '../../errors.js';
import type { PluginClientOptions, PluginTarget } from '../plugin-client.js';

/** The controller asks the relay thread to stream one image into `ring`, `slots` pieces of at most `slotBytes`. */
export interface StartDownload {
  t: 'start';
  id: number;
  client: PluginClientOptions;
  target: PluginTarget;
  imageId: string;
  correlationId?: string;
  ring: SharedArrayBuffer;
  slots: number;
  slotBytes: number;
}

/** A slot's bytes are written to the client: the relay may fill it again. */
export interface FreeSlot {
  t: 'free';
  id: number;
  slot: number;
}

/** The client went (or the range is sent): stop reading the plugin's stream. */
export interface CancelDownload {
  t: 'cancel';
  id: number;
}

export type ToRelay = StartDownload | FreeSlot | CancelDownload;

/** `length` bytes of the image wait in slot `slot` of the download's ring. */
export interface ChunkReady {
  t: 'chunk';
  id: number;
  slot: number;
  length: number;
}

export interface DownloadEnded {
  t: 'end';
  id: number;
}

/** The download failed: the DomainError the plugin client raised, as data. */
export interface DownloadFailed {
  t: 'error';
  id: number;
  code: ErrorCode;
  message: string;
  details: ErrorDetails;
}

export type FromRelay = ChunkReady | DownloadEnded | DownloadFailed;
