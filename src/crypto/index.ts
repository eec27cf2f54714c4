// The open-data crypto layer: decryption with watermark checks, rawData signatures and the
// session-key signature. Pure functions, no I/O.

export { type DecryptDataInput, decryptData, type OpenData, type OpenDataWatermark } from './decrypt-data.js';
export { sessionKeySignature } from './session-key-signature.js';
export { type VerifySignatureInput, verifySignature } from './verify-signature.js';
