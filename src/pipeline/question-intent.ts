const overviewPatterns = [
  /\bwhat(?:'s| is| are)\s+(?:this|the|these)\s+(?:paper|document|file|text|article|report|book|pdf|docs?)\s+(?:about|on)\b/i,
  /\bwhat\s+(?:does|do)\s+(?:this|the)\s+(?:paper|document|file|text|article|report|book|pdf)\s+(?:say|cover|discuss|describe|propose|present)\b/i,
  /\b(?:summari[sz]e|summary|summari[sz]ation|overview|tl;?dr|gist)\b/i,
  /\bwhat\s+are\s+(?:the\s+)?(?:main|key|major|central)\s+(?:points|ideas|findings|contributions|takeaways|topics|themes)\b/i,
  /\b(?:main|key)\s+(?:points|ideas|findings|contributions|takeaways)\b/i,
  /\bwhat\s+is\s+(?:it|this)\s+about\b/i,
];

/** True when a question asks about the document as a whole ("What is this paper about?", "summarize this"). */
export function isOverviewQuestion(question: string): boolean {
  return overviewPatterns.some((pattern) => pattern.test(question));
}
