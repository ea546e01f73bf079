import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import { SESSION_COOKIE } from '../context.js';
import { formValidator } from '../forms.js';

const PasswordForm = Type.Object(
  {
    current: Type.String({ minLength: 1, maxLength: 1024 }),
    password: Type.String({ minLength: 10, maxLength: 256 }),
    confirm: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
const checkPassword = formValidator(PasswordForm);

/** What service codes mean on this form, in the person's words. */
const SERVICE_ERRORS: Record<string, [field: string, key: string]> = {
  CURRENT_PASSWORD_WRONG: ['current', 'web:account.errors.currentWrong'],
  PASSWORD_TOO_SHORT: ['password', 'web:account.errors.passwordShort'],
  PASSWORD_TOO_LONG: ['password', 'web:account.errors.passwordLong'],
  PASSWORD_INVALID: ['password', 'web:account.errors.passwordInvalid'],
};

/** The person's own account: who they are, their password, their language. */
export async function accountPages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/account', async (req, reply) => reply.page('account', { account: req.web.user }));

  app.post('/account/password', async (req, reply) => {
    const { t } = req.web;
    const form = checkPassword(req.body, t);
    const errors = form.ok ? {} : { ...form.errors };
    if (form.ok && form.value.password !== form.value.confirm) Object.assign(errors, { confirm: t('web:account.errors.mismatch') });
    if (!form.ok || Object.keys(errors).length) return reply.page('account', { account: req.web.user, errors }, 400);
    try {
      await s.users.changeOwnPassword(req.web.actor!, form.value.current, form.value.password, req.cookies[SESSION_COOKIE]);
    } catch (e) {
      const known = e instanceof AppError ? SERVICE_ERRORS[e.code] : undefined;
      if (!known) throw e;
      return reply.page('account', { account: req.web.user, errors: { [known[0]]: t(known[1]) } }, 400);
    }
    return reply.redirect('/account?ok=passwordChanged', 303);
  });
}
