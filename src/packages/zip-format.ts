// Numbers of the zip format (APPNOTE.TXT) shared by the archive reader and the streaming scanner.

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const LOCAL_HEADER_SIZE = 30;
/** General purpose bit 0: the entry is encrypted. */
export const FLAG_ENCRYPTED = 0x1;
/** General purpose bit 3: sizes and CRC-32 follow the data in a data descriptor. */
export const FLAG_DATA_DESCRIPTOR = 0x8;
export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;
/** Extra field id of the zip64 extended information. */
export const ZIP64_EXTRA = 0x0001;
