"""Arm assignment: deterministic, salted, and in the configured proportion."""

from bot.chat.experiment import ARM_RANDOM, ARM_RECOMMENDER, assign_arm


def test_assignment_is_deterministic_and_salted() -> None:
    first = [assign_arm("discord", str(u), salt="a", random_share=0.5) for u in range(200)]
    again = [assign_arm("discord", str(u), salt="a", random_share=0.5) for u in range(200)]
    other_salt = [assign_arm("discord", str(u), salt="b", random_share=0.5) for u in range(200)]
    assert first == again
    assert first != other_salt
    # the platform is part of the identity: the same number on two platforms is two people
    assert first != [assign_arm("telegram", str(u), salt="a", random_share=0.5) for u in range(200)]


def test_share_is_respected_within_sampling_error() -> None:
    n = 20_000
    for share in (0.1, 0.5, 0.9):
        randoms = sum(assign_arm("t", str(u), salt="s", random_share=share) == ARM_RANDOM for u in range(n))
        # 4 standard errors of a binomial proportion
        assert abs(randoms / n - share) < 4 * (share * (1 - share) / n) ** 0.5


def test_switched_off_or_zero_share_means_everyone_gets_the_recommender() -> None:
    assert {assign_arm("t", str(u), salt="s", random_share=0.5, enabled=False) for u in range(100)} == {ARM_RECOMMENDER}
    assert {assign_arm("t", str(u), salt="s", random_share=0.0) for u in range(100)} == {ARM_RECOMMENDER}
    assert {assign_arm("t", str(u), salt="s", random_share=1.0) for u in range(100)} == {ARM_RANDOM}


def test_the_terminal_chat_and_the_command_line_are_never_in_the_random_arm() -> None:
    for platform in ("terminal", "cli"):
        assert {assign_arm(platform, str(u), salt="s", random_share=1.0) for u in range(100)} == {ARM_RECOMMENDER}
    assert {assign_arm("discord", str(u), salt="s", random_share=1.0) for u in range(100)} == {ARM_RANDOM}
