/** Reads one file (e.g. 'generator/model.json') of the shipped weights as bytes: fetch in the browser, the file system in Node. */
export type WeightsLoader = (path: string) => Promise<Uint8Array>;
