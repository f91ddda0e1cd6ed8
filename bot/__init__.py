"""kpop-bot's platform-neutral core: commands, answers, storage, feedback and the experiment."""
