import { Link } from 'react-aria-components';
import { usePageTitle } from '../app/page-title';

export function NotFound() {
  usePageTitle('Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no console page at <code>{window.location.pathname}</code>. <Link href="/">Go to your profile</Link>.
      </p>
    </>
  );
}
