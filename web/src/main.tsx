import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { apiClient } from './api/api-client.ts';
import { loadAnswerMarkdown } from './components/LazyAnswerMarkdown.tsx';
import { ChatPage } from './pages/ChatPage.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <ChatPage api={apiClient} />
  </StrictMode>,
);

// The Markdown renderer is fetched once the first frame is painted, before any answer needs it.
requestAnimationFrame(() => setTimeout(() => void loadAnswerMarkdown(), 0));
