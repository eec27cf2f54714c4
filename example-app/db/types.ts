// The example's user table, seen from the routes: one interface that the SQLite and the
// PostgreSQL repositories both implement, so the app does not care which one it runs on.

/** A user of the example app, as the database keeps it. */
export interface User {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  phoneNumber: string | null;
  countryCode: string | null;
  loginCount: number;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  lastLoginAt: string;
}

/** What a login tells us about a WeChat user. */
export interface LoginIdentity {
  appId: string;
  openid: string;
  unionid?: string | undefined;
}

export interface UserRepository {
  /** Which engine this is, for the startup banner and /info. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Inserts the user on the first login, else counts the login; keeps a unionid once WeChat gave
   * one. One statement, so two first logins of the same user at once still make one row.
   */
  upsertOnLogin(identity: LoginIdentity): Promise<User>;
  /** Stores the number that `POST /wx/phone` got from WeChat. */
  setPhone(
    appId: string,
    openid: string,
    phone: { purePhoneNumber: string; countryCode: string },
  ): Promise<void>;
  findByOpenid(appId: string, openid: string): Promise<User | undefined>;
  /** Every user of an app who shares this unionid (one person across the apps of one Open Platform account). */
  findByUnionid(unionid: string): Promise<User[]>;
  close(): Promise<void>;
}
