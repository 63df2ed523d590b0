"""The ten on-demand offerings of the CSE catalog (DESIGN.md rule 1), in our own words.

Used by the data migration that seeds them and by `services.ensure_catalog`, which
seeds an empty catalog again (a test database after a flush).
"""

OFFERINGS = [
    (
        "Fast-Track GitLab Implementation",
        "For DevOps leads and platform administrators who want their GitLab rollout done "
        "sooner: concrete recommendations on configuration, user management and the "
        "documented practices that get a new instance productive quickly.",
    ),
    (
        "Optimize Your GitLab Architecture",
        "For enterprise architects and technical leads designing GitLab to grow: patterns "
        "for scale, high availability and disaster recovery that lower the risk of downtime.",
    ),
    (
        "Streamline Your CI Workflows",
        "For engineering leads and DevOps teams with slow or costly pipelines: a review of "
        "their .gitlab-ci.yml and the caching, job and pipeline-architecture patterns that "
        "cut build times and use runners better.",
    ),
    (
        "Strengthen Your Application Security",
        "For development and security leads: how to automate scanning, enforce security "
        "policies and triage vulnerabilities with GitLab's security features.",
    ),
    (
        "Transform Your Workflow with AI",
        "For development teams and technical leaders adopting GitLab Duo: where AI-assisted "
        "planning, code suggestions and security scanning pay off, from real rollouts.",
    ),
    (
        "Optimize Your Migration Strategy",
        "For technical leaders moving to GitLab from other tools: proven migration paths, "
        "prerequisites and limits, architecture choices and how to keep the risk low.",
    ),
    (
        "Accelerate Your Software Delivery",
        "For DevOps teams shipping to production: deployment automation, environment "
        "configuration and release management practices that make delivery reliable.",
    ),
    (
        "Strengthen Your GitLab Operations",
        "For system administrators running GitLab at scale: authentication, user and group "
        "organisation and project configuration as large customers do it.",
    ),
    (
        "Optimize Your Platform Observability",
        "For platform engineers: monitoring from the basics to advanced observability, "
        "garbage-collection statistics and tracking resource use.",
    ),
    (
        "Scale Your Agile Planning",
        "For project leaders and delivery teams: workflows with issues, epics and iterations, "
        "and measuring progress with value stream analytics.",
    ),
]
