import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ApiError } from './api/client';
import { router } from './app/routes';
import { Session } from './app/session';
import './styles.css';

// The login comes back with ?code= for apps that trade it for a token; the console has its cookie.
const landing = new URL(window.location.href);
if (landing.searchParams.has('code')) {
  landing.searchParams.delete('code');
  window.history.replaceState(null, '', `${landing.pathname}${landing.search}${landing.hash}`);
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal will not change by asking again; a dropped connection might.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Session>
        <RouterProvider router={router} />
      </Session>
    </QueryClientProvider>
  </StrictMode>,
);
