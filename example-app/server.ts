// The example backend: a mini-program login with express-wx-login. With no WeChat credentials
// in the environment it starts the built-in WeChat emulator, so it runs with no account at all.

import express from 'express';
import { MemoryStore, requireWxSession, wxErrorHandler, wxLogin } from 'express-wx-login';
import { startWeChatEmulator } from 'express-wx-login/testing';

const port = Number(process.env.PORT ?? 3000);
const realWeChat = Boolean(process.env.WX_APP_ID && process.env.WX_APP_SECRET);
const emulator = realWeChat ? undefined : await startWeChatEmulator();

const app = express();
app.use(express.json());

// Users of this example: openid -> profile. A real app keeps them in its database.
const users = new Map<string, { userId: number; phone?: string }>();

app.use(
  wxLogin({
    appId: process.env.WX_APP_ID ?? emulator!.appId,
    appSecret: process.env.WX_APP_SECRET ?? emulator!.appSecret,
    tokenSecret: process.env.WX_TOKEN_SECRET ?? 'example-only-token-secret-change-me-0123456789',
    apiBaseUrl: emulator?.url,
    store: new MemoryStore(),
    onLogin: ({ openid }) => {
      const user = users.get(openid) ?? { userId: users.size + 1 };
      users.set(openid, user);
      return { userId: user.userId };
    },
    onPhoneNumber: ({ openid, phone }) => {
      const user = users.get(openid);
      if (user) user.phone = phone.purePhoneNumber;
    },
  }),
);

app.get('/me', requireWxSession(), (req, res) => {
  res.json(req.wxUser);
});

app.post('/werun', requireWxSession(), async (req, res, next) => {
  try {
    const data = await req.wxUser!.decrypt(req.body?.encryptedData, req.body?.iv);
    res.json({ stepInfoList: data.stepInfoList });
  } catch (err) {
    next(err);
  }
});

if (emulator) {
  // Stand-ins for what the mini program gets from wx.login() and the phone button.
  app.post('/dev/login-code', (req, res) => {
    res.json({
      code: emulator.issueLoginCode(typeof req.body?.openid === 'string' ? req.body.openid : undefined),
    });
  });
}

app.use(wxErrorHandler());

app.listen(port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${port}`;
  process.stdout.write(
    [
      `express-wx-login example listening on ${base}`,
      realWeChat
        ? `talking to WeChat for app ${process.env.WX_APP_ID}`
        : `talking to the built-in WeChat emulator at ${emulator!.url}`,
      '',
      'Try it:',
      `  CODE=$(curl -s -X POST ${base}/dev/login-code | node -pe 'JSON.parse(require("fs").readFileSync(0)).code')`,
      `  TOKEN=$(curl -s -X POST ${base}/wx/login -H 'Content-Type: application/json' -d "{\\"code\\":\\"$CODE\\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
      `  curl -s ${base}/me -H "Authorization: Bearer $TOKEN"`,
      '',
    ].join('\n'),
  );
});
