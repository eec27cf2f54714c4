// express-wx-login/testing: what users need to test their own apps offline, the WeChat API
// emulator and its types.

export { startWeChatEmulator, WeChatEmulator } from './emulator/emulator.js';
export type { UserInput } from './emulator/state.js';
export type {
  EmulatedUser,
  EmulatorCall,
  EmulatorEndpoint,
  EmulatorFault,
  OAuthScope,
  OAuthUserInput,
  WeChatEmulatorOptions,
} from './emulator/types.js';
export {
  runSessionStoreContract,
  type StoreContractHooks,
  type StoreContractOptions,
} from './store-contract.js';
