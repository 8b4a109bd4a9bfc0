import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import { Profile } from '../pages/profile';
import { NotFound } from '../pages/not-found';
import { Layout } from './layout';
import { RequireRole } from './require-role';

// The home page is in the first download; every other page loads when it is opened.
const Datasets = lazy(() => import('../pages/datasets'));
const Tokens = lazy(() => import('../pages/tokens'));
const DeviceApproval = lazy(() => import('../pages/device-approval'));
const Users = lazy(() => import('../pages/admin/users'));
const ServiceAccounts = lazy(() => import('../pages/admin/service-accounts'));
const Groups = lazy(() => import('../pages/admin/groups'));
const AdminDatasets = lazy(() => import('../pages/admin/datasets'));
const Permissions = lazy(() => import('../pages/admin/permissions'));
const ServiceTables = lazy(() => import('../pages/admin/servicetables'));
const Affiliations = lazy(() => import('../pages/admin/affiliations'));
const TrustedApps = lazy(() => import('../pages/admin/trusted-apps'));
const AuditLog = lazy(() => import('../pages/audit/audit-log'));
const AccessAtMoment = lazy(() => import('../pages/audit/access'));
const Replay = lazy(() => import('../pages/audit/replay'));

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Profile /> },
      { path: '/datasets', element: <Datasets /> },
      { path: '/tokens', element: <Tokens /> },
      // CONTRACT section 9: where a signed-in person approves or denies a device login.
      { path: '/device', element: <DeviceApproval /> },
      { path: '/admin/users', element: <RequireRole role="superAdmin" page={<Users />} /> },
      { path: '/admin/service-accounts', element: <RequireRole role="superAdmin" page={<ServiceAccounts />} /> },
      { path: '/admin/groups/:groupId?', element: <RequireRole role="groupAdmin" page={<Groups />} /> },
      { path: '/admin/datasets/:datasetId?', element: <RequireRole role="datasetAdmin" page={<AdminDatasets />} /> },
      { path: '/admin/permissions', element: <RequireRole role="superAdmin" page={<Permissions />} /> },
      { path: '/admin/servicetables', element: <RequireRole role="superAdmin" page={<ServiceTables />} /> },
      { path: '/admin/affiliations', element: <RequireRole role="superAdmin" page={<Affiliations />} /> },
      { path: '/admin/apps', element: <RequireRole role="superAdmin" page={<TrustedApps />} /> },
      { path: '/audit/events', element: <RequireRole role="superAdmin" page={<AuditLog />} /> },
      { path: '/audit/access', element: <RequireRole role="superAdmin" page={<AccessAtMoment />} /> },
      { path: '/audit/replay', element: <RequireRole role="superAdmin" page={<Replay />} /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
