import { Suspense } from 'react';
import { Button, Link, RouterProvider } from 'react-aria-components';
import { Outlet, useHref, useLocation, useNavigate, type NavigateOptions } from 'react-router';
import { Loading } from '../ui/states';
import { useRoles, useSession } from './session';

declare module 'react-aria-components' {
  interface RouterConfig {
    routerOptions: NavigateOptions;
  }
}

interface NavItem {
  href: string;
  label: string;
}

function NavSection({ title, items }: { title: string; items: NavItem[] }) {
  const { pathname } = useLocation();
  if (items.length === 0) return null;
  return (
    <section className="nav-section" aria-label={title}>
      <h2 className="nav-title">{title}</h2>
      <ul>
        {items.map((item) => {
          const current = item.href === '/' ? pathname === '/' : pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <li key={item.href}>
              <Link href={item.href} className="nav-link" aria-current={current ? 'page' : undefined}>
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The frame of every signed-in page: who you are, the pages you may use, and the page. */
export function Layout() {
  const navigate = useNavigate();
  const { me, signOut } = useSession();
  const roles = useRoles();
  const yours: NavItem[] = [
    { href: '/', label: 'Profile' },
    { href: '/datasets', label: 'Datasets and terms' },
    { href: '/tokens', label: 'Tokens' },
    { href: '/device', label: 'Device login' },
  ];
  const admin: NavItem[] = [
    ...(roles.superAdmin ? [{ href: '/admin/users', label: 'Users' }] : []),
    ...(roles.superAdmin ? [{ href: '/admin/service-accounts', label: 'Service accounts' }] : []),
    ...(roles.groupAdmin ? [{ href: '/admin/groups', label: 'Groups' }] : []),
    ...(roles.datasetAdmin ? [{ href: '/admin/datasets', label: 'Datasets, grants, terms' }] : []),
    ...(roles.superAdmin ? [{ href: '/admin/permissions', label: 'Permissions' }] : []),
    ...(roles.superAdmin ? [{ href: '/admin/servicetables', label: 'Service tables' }] : []),
    ...(roles.superAdmin ? [{ href: '/admin/affiliations', label: 'Affiliations' }] : []),
    ...(roles.superAdmin ? [{ href: '/admin/apps', label: 'Trusted apps' }] : []),
  ];
  const audit: NavItem[] = roles.superAdmin
    ? [
        { href: '/audit/events', label: 'Audit log' },
        { href: '/audit/access', label: 'Who could see' },
        { href: '/audit/replay', label: 'Replay' },
      ]
    : [];
  return (
    <RouterProvider navigate={(to, options) => void navigate(to, options)} useHref={useHref}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Tessera
        </Link>
        <div className="whoami">
          <span>
            Signed in as <strong>{me.name}</strong>
            {me.admin && <span className="badge">super admin</span>}
            {me.readOnly && <span className="badge">read-only</span>}
          </span>
          <Button className="button" onPress={() => void signOut()}>
            Sign out
          </Button>
        </div>
      </header>
      <div className="frame">
        <nav className="sidebar" aria-label="Console">
          <NavSection title="You" items={yours} />
          <NavSection title="Administration" items={admin} />
          <NavSection title="Audit" items={audit} />
        </nav>
        <main id="main" className="content" tabIndex={-1}>
          <Suspense fallback={<Loading what="the page" />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </RouterProvider>
  );
}
