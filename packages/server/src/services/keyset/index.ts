export { type CursorCodec, createCursorCodec, fingerprint } from "./cursor-codec";
export { type KeysetListOptions, keysetPage, pageRows } from "./page";
export { orderSql, type SeekPart, type SortKey, seekAfter, seekParts } from "./seek";
