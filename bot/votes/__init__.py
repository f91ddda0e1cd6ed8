"""Everything about feedback: saving votes, what each person was shown and disliked, everyone's counts,
sinking, and the ranking's feedback scores, with the one vote policy (:mod:`bot.votes.policy`).

The chat core calls :class:`~bot.votes.feedback.Feedback`. May import
``bot.storage`` and ``recommender``; never ``bot.chat``.
"""
