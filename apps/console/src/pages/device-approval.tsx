import { useSearchParams } from 'react-router';
import { usePageTitle } from '../app/page-title';

/**
 * CONTRACT section 9: `GET /device?user_code=`, where a signed-in user approves or denies a device
 * login. Device login (RFC 8628) is being built separately; this is the place for its approval page.
 */
export default function DeviceApproval() {
  usePageTitle('Device login');
  const [params] = useSearchParams();
  const userCode = params.get('user_code');
  return (
    <>
      <h1>Device login</h1>
      <section className="card" aria-labelledby="device-status">
        <h2 id="device-status">Not available yet</h2>
        <p>
          Signing in a command line or a device with a code (<code>npx tessera login</code>) is not part of this Tessera yet. When it is,
          this page will show which device asks and let you approve or deny it.
        </p>
        {userCode && (
          <p>
            The code you opened this page with: <code className="user-code">{userCode}</code>. Nothing has been approved.
          </p>
        )}
        <p>Until then, create a personal token on the Tokens page and give it to the tool.</p>
      </section>
    </>
  );
}
