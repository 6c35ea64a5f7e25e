import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { apiClient } from './api/api-client.ts';
import { ChatPage } from './pages/ChatPage.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <ChatPage api={apiClient} />
  </StrictMode>,
);
