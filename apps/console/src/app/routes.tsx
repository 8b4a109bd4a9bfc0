import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import { Profile } from '../pages/profile';
import { NotFound } from '../pages/not-found';
import { Layout } from './layout';

// The home page is in the first download; every other page loads when it is opened.
const Datasets = lazy(() => import('../pages/datasets'));
const Tokens = lazy(() => import('../pages/tokens'));
const DeviceApproval = lazy(() => import('../pages/device-approval'));

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Profile /> },
      { path: '/datasets', element: <Datasets /> },
      { path: '/tokens', element: <Tokens /> },
      // CONTRACT section 9: the device-approval page (device login is being built; this route is its place).
      { path: '/device', element: <DeviceApproval /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
