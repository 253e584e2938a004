import { authenticateClient } from '../src/oauth/client-authentication.js';
import { OAuthError } from '../src/oauth/errors.js';
import { validateClientId, RegistrationError } from '../src/oauth/registration.js';

describe('client registration', () => {
  it.each(['9b2f1c3e-5a4d-4e6f-8a7b-0c1d2e3f4a5b', '9B2F1C3E-5A4D-4E6F-8A7B-0C1D2E3F4A5B'])('rejects the UUID-shaped id %s', (id) => {
    expect(() => validateClientId(id)).toThrow(RegistrationError);
  });

  it.each(['reports', 'svc:orders', 'a b+c%', 'x'.repeat(128)])('accepts the id %s', (id) => {
    expect(validateClientId(id)).toBe(id);
  });

  it.each(['', 'x'.repeat(129), 'tab\there', 'é'])('rejects the invalid id %j', (id) => {
    expect(() => validateClientId(id)).toThrow(RegistrationError);
  });
});

describe('client authentication logs', () => {
  it('keeps an unknown client id out of the detail', async () => {
    const presented = 'looks-like-a-secret-0123456789abcdef';
    const lookup = { find: async () => undefined };

    const error = await authenticateClient(lookup, { clientId: presented, secret: 'x', method: 'client_secret_basic' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_client');
    expect((error as OAuthError).detail).toMatch(/^unknown client client-id-sha256:[0-9a-f]{16}$/);
    expect((error as OAuthError).detail).not.toContain(presented);
  });
});
