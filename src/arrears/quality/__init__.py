"""Call quality (QA-1, QA-2): recordings from the call platform, speech to text, automatic inspection of every
transcript, people reviewing a sample, and the monthly quality score per collector and agency."""
