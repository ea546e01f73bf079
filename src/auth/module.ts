// Accounts: API tokens, people's logins and the pages' sessions.
import type { ModuleDefinition } from '../module.js';
import { tokenRoutes } from './routes.js';
import { SessionService } from './sessions.js';
import { TokenService } from './tokens.js';
import { userRoutes } from './user-routes.js';
import { UserService } from './users.js';

export const authModule: ModuleDefinition = {
  name: 'auth',
  provides: ['tokens', 'users', 'sessions'],
  create(ctx) {
    const { auth, adminToken } = ctx.config;
    const sessions = new SessionService(ctx.store, auth.session);
    ctx.provide('sessions', sessions);
    ctx.provide('users', new UserService(ctx.store, sessions, auth.login));
    ctx.provide('tokens', new TokenService(ctx.store, { adminToken, defaultTtlDays: auth.defaultTokenTtlDays }));
    return {
      name: 'auth',
      routes: async (app, s) => {
        await tokenRoutes(app, s);
        await userRoutes(app, s);
      },
    };
  },
};
