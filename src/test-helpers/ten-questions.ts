/**
 * A ten-question conversation about the paper-sized text `bench/fixtures.ts` makes (`syntheticText`): standalone
 * questions, follow-ups that lean on the earlier ones, and a whole-document question, as a user asks them. Used
 * to show that every prompt of a long conversation fits a small model's window.
 */
export const tenQuestions = [
  'What does the distillation stage improve?',
  'And how is it trained?',
  'What reward does it use?',
  'Why does that matter?',
  'How does it compare with the baseline?',
  'What are its limits?',
  'Which benchmarks were used?',
  'What happens with longer answers?',
  'Can you say more about that?',
  'What is this paper about?',
] as const;
