-- Test fixture: the slice of the hub database the registrar touches, as flip-api creates it at
-- startup (SQLModel create_all; see FLIP-FACTS.md "Hub database tables"). The registrar never
-- creates or alters these tables; tests load this file into a fresh database.
--
-- trusts_audit.action is a native enum, as SQLModel maps flip-api's TrustAuditAction StrEnum: the
-- registrar may only write labels the type has. project_trust_intersect and trust_task are two of
-- the hub tables that reference trust.id (one nullable, one NOT NULL, neither ON DELETE CASCADE),
-- used to exercise the "still referenced" rule.

CREATE TYPE trustauditaction AS ENUM ('REGISTERED', 'DELETED', 'ADMIN_ADDED', 'ADMIN_REMOVED');

CREATE TABLE trust (
    id                 uuid PRIMARY KEY,
    name               varchar NOT NULL,
    last_heartbeat     timestamptz NULL,
    code               varchar NULL,
    region             varchar NULL,
    api_key_hash       varchar NULL,
    created_at         timestamptz NOT NULL,
    services_health    jsonb NULL,
    services_health_at timestamptz NULL
);

CREATE TABLE fl_kit_slot (
    slot_name            varchar PRIMARY KEY,
    slot_number          integer NOT NULL,
    assigned_to_trust_id uuid NULL REFERENCES trust (id),
    assigned_at          timestamptz NULL
);
CREATE INDEX ix_fl_kit_slot_assigned_to_trust_id ON fl_kit_slot (assigned_to_trust_id);

CREATE TABLE trusts_audit (
    id                  uuid PRIMARY KEY,
    trust_id            uuid NOT NULL,
    trust_name          varchar NOT NULL,
    action              trustauditaction NOT NULL,
    modified_by_user_id uuid NULL,
    audit_date          timestamptz NOT NULL
);
CREATE INDEX ix_trusts_audit_trust_id ON trusts_audit (trust_id);

CREATE TABLE projects (
    id                 uuid PRIMARY KEY,
    name               varchar NOT NULL,
    description        varchar NOT NULL,
    owner_id           uuid NOT NULL,
    deleted            boolean NOT NULL DEFAULT false,
    creation_timestamp timestamp NOT NULL DEFAULT now()
);

CREATE TABLE project_trust_intersect (
    id          uuid PRIMARY KEY,
    project_id  uuid NULL REFERENCES projects (id),
    trust_id    uuid NULL REFERENCES trust (id),
    approved    boolean NOT NULL,
    approved_at timestamp NULL
);
CREATE INDEX ix_project_trust_intersect_project_id ON project_trust_intersect (project_id);
CREATE INDEX ix_project_trust_intersect_trust_id ON project_trust_intersect (trust_id);

CREATE TABLE trust_task (
    id         uuid PRIMARY KEY,
    trust_id   uuid NOT NULL REFERENCES trust (id),
    task_type  varchar NOT NULL,
    payload    varchar NOT NULL,
    status     varchar NOT NULL DEFAULT 'PENDING',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_trust_task_trust_id ON trust_task (trust_id);

-- The pool flip-api seeds at boot from /flip/fl_kit_slot_names; tests reseed it to the size they need.
INSERT INTO fl_kit_slot (slot_name, slot_number)
SELECT 'Trust_' || n, n FROM generate_series(1, 10) AS n;
