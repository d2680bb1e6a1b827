"""Lessons, quizzes, attempts, progress and classes (roadmap steps 5 and 6)."""
