-- Statements of a plain-format pg_dump (PostgreSQL 15) as psql sends them one
-- at a time on restore: the SET preamble, extensions, types, functions with
-- dollar-quoted bodies, tables, sequences, COPY ... FROM stdin headers (the
-- rows travel as CopyData, not as SQL), constraints, indexes, triggers,
-- views, comments and privileges. DDL here is benign: a restore is an
-- ordinary job; the `ddl`/`grant` classes let a policy decide.

-- @case dump_set_statement_timeout
-- @expect op=SET classes= objects= functions=
SET statement_timeout = 0;

-- @case dump_set_lock_timeout
-- @expect op=SET diff_fp=dump_set_statement_timeout
SET lock_timeout = 0;

-- @case
-- @expect op=SET
SET idle_in_transaction_session_timeout = 0;

-- @case dump_set_client_encoding
-- @expect op=SET
SET client_encoding = 'UTF8';

-- @case
-- @expect op=SET
SET standard_conforming_strings = on;

-- @case dump_set_config
-- @expect op=SELECT functions=set_config objects=
SELECT pg_catalog.set_config('search_path', '', false);

-- @case
-- @expect op=SET
SET check_function_bodies = false;

-- @case
-- @expect op=SET
SET xmloption = content;

-- @case
-- @expect op=SET
SET client_min_messages = warning;

-- @case
-- @expect op=SET
SET row_security = off;

-- @case
-- @expect op=SET
SET default_tablespace = '';

-- @case
-- @expect op=SET
SET default_table_access_method = heap;

-- @case dump_create_schema
-- @expect op=CREATE classes=ddl
CREATE SCHEMA shop;

-- @case dump_alter_schema_owner
-- @expect op=ALTER classes=ddl
ALTER SCHEMA shop OWNER TO app;

-- @case dump_create_extension
-- @expect op=CREATE classes=ddl functions=
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

-- @case dump_comment_extension
-- @expect classes=ddl functions=
COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';

-- @case dump_create_enum
-- @expect op=CREATE classes=ddl functions=
CREATE TYPE public.order_status AS ENUM (
    'pending',
    'paid',
    'shipped',
    'cancelled'
);

-- @case dump_alter_type_owner
-- @expect op=ALTER classes=ddl
ALTER TYPE public.order_status OWNER TO app;

-- @case dump_function_trigger_body
-- @expect op=CREATE classes=ddl stmts=1 objects=
CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- @case dump_function_sql_body
-- @expect op=CREATE classes=ddl stmts=1
CREATE FUNCTION public.order_total(p_order_id bigint) RETURNS numeric
    LANGUAGE sql STABLE
    AS $_$
    SELECT coalesce(sum(quantity * unit_price), 0)
      FROM public.order_items
     WHERE order_id = $1;
$_$;

-- @case dump_function_tagged_body
-- @expect op=CREATE classes=ddl stmts=1
CREATE FUNCTION public.slugify(value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $function$
DECLARE
    result text;
BEGIN
    -- lower-case, strip accents, replace anything else by '-'
    result := lower(value);
    result := regexp_replace(result, '[^a-z0-9]+', '-', 'g');
    RETURN trim(both '-' from result);
END;
$function$;

-- @case dump_alter_function_owner
-- @expect op=ALTER classes=ddl
ALTER FUNCTION public.set_updated_at() OWNER TO app;

-- @case dump_create_table_customers
-- @expect op=CREATE classes=ddl objects=public.customers functions=now stmts=1
CREATE TABLE public.customers (
    id bigint NOT NULL,
    email character varying(255) NOT NULL,
    full_name text,
    country_code character(2) DEFAULT 'FR'::bpchar,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

-- @case dump_create_table_orders
-- @expect op=CREATE classes=ddl objects=public.orders functions=
CREATE TABLE public.orders (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    status public.order_status DEFAULT 'pending'::public.order_status NOT NULL,
    total numeric(12,2) DEFAULT 0.00 NOT NULL,
    placed_at timestamp(3) without time zone,
    tags text[] DEFAULT '{}'::text[],
    CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric))
);

-- @case dump_create_table_items
-- @expect op=CREATE classes=ddl objects=public.order_items functions=
CREATE TABLE public.order_items (
    order_id bigint NOT NULL,
    product_id integer NOT NULL,
    quantity integer DEFAULT 1 NOT NULL,
    unit_price numeric(10,2) NOT NULL,
    attributes jsonb
);

-- @case dump_create_table_identity
-- @expect op=CREATE classes=ddl objects=public.products functions=to_tsvector
CREATE TABLE public.products (
    id integer NOT NULL,
    sku text NOT NULL,
    name text NOT NULL,
    price numeric(10,2),
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, name)) STORED
);

-- @case dump_create_table_partitioned
-- @expect op=CREATE classes=ddl objects=public.events
CREATE TABLE public.events (
    id bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    payload jsonb
)
PARTITION BY RANGE (occurred_at);

-- @case dump_create_partition
-- @expect op=CREATE classes=ddl objects=public.events_2026_11
CREATE TABLE public.events_2026_11 (
    id bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    payload jsonb
);

-- @case dump_attach_partition
-- @expect op=ALTER classes=ddl objects=public.events,public.events_2026_11
ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2026_11 FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00');

-- @case dump_alter_table_owner
-- @expect op=ALTER classes=ddl objects=public.customers
ALTER TABLE public.customers OWNER TO app;

-- @case dump_create_sequence
-- @expect op=CREATE classes=ddl functions=
CREATE SEQUENCE public.customers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- @case dump_identity_sequence
-- @expect op=ALTER classes=ddl objects=public.products
ALTER TABLE public.products ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.products_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- @case dump_sequence_owner
-- @expect op=ALTER classes=ddl objects=public.customers_id_seq
ALTER TABLE public.customers_id_seq OWNER TO app;

-- @case dump_sequence_owned_by
-- @expect op=ALTER classes=ddl
ALTER SEQUENCE public.customers_id_seq OWNED BY public.customers.id;

-- @case dump_set_default_nextval
-- @expect op=ALTER classes=ddl objects=public.customers functions=nextval
ALTER TABLE ONLY public.customers ALTER COLUMN id SET DEFAULT nextval('public.customers_id_seq'::regclass);

-- @case dump_copy_customers
-- @expect op=COPY classes= objects=public.customers functions= writes=yes
COPY public.customers (id, email, full_name, country_code, created_at, updated_at) FROM stdin;

-- @case dump_copy_orders
-- @expect op=COPY classes= objects=public.orders writes=yes
COPY public.orders (id, customer_id, status, total, placed_at, tags) FROM stdin;

-- @case dump_copy_quoted
-- @expect op=COPY classes= objects=public.Order_Lines writes=yes
COPY public."Order_Lines" ("Id", "OrderId", "Qty") FROM stdin;

-- @case dump_setval
-- @expect op=SELECT functions=setval objects=
SELECT pg_catalog.setval('public.customers_id_seq', 1042, true);

-- @case dump_setval_false
-- @expect op=SELECT functions=setval same_fp=dump_setval
SELECT pg_catalog.setval('public.customers_id_seq', 1, false);

-- @case dump_add_pkey
-- @expect op=ALTER classes=ddl objects=public.customers functions=
ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

-- @case dump_add_unique
-- @expect op=ALTER classes=ddl objects=public.products functions=
ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_sku_key UNIQUE (sku);

-- @case dump_add_fkey
-- @expect op=ALTER classes=ddl objects=public.orders,public.customers functions=
ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id) ON DELETE CASCADE;

-- @case dump_add_fkey_composite
-- @expect op=ALTER classes=ddl objects=public.order_items,public.orders functions=
ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id) DEFERRABLE INITIALLY DEFERRED;

-- @case dump_create_index_expression
-- @expect op=CREATE classes=ddl objects=public.customers functions=lower
CREATE UNIQUE INDEX customers_email_key ON public.customers USING btree (lower((email)::text));

-- @case dump_create_index_gin
-- @expect op=CREATE classes=ddl objects=public.order_items functions=
CREATE INDEX order_items_attributes_idx ON public.order_items USING gin (attributes jsonb_path_ops);

-- @case dump_create_index_partial
-- @expect op=CREATE classes=ddl objects=public.orders functions=
CREATE INDEX orders_pending_idx ON public.orders USING btree (placed_at) WHERE (status = 'pending'::public.order_status);

-- @case dump_create_index_only
-- @expect op=CREATE classes=ddl objects=public.events
CREATE INDEX events_occurred_at_idx ON ONLY public.events USING brin (occurred_at);

-- @case dump_create_trigger
-- @expect op=CREATE classes=ddl objects=public.customers
CREATE TRIGGER customers_updated_at BEFORE UPDATE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- @case dump_create_view
-- @expect op=CREATE classes=ddl objects=public.order_totals,public.orders functions=sum,count
CREATE VIEW public.order_totals AS
 SELECT o.customer_id,
    sum(o.total) AS total,
    count(*) FILTER (WHERE (o.status = 'paid'::public.order_status)) AS paid_orders
   FROM public.orders o
  GROUP BY o.customer_id;

-- @case dump_create_matview
-- @expect op=CREATE classes=ddl objects=public.daily_sales,public.orders
CREATE MATERIALIZED VIEW public.daily_sales AS
 SELECT date_trunc('day'::text, orders.placed_at) AS day,
    sum(orders.total) AS revenue
   FROM public.orders
  GROUP BY (date_trunc('day'::text, orders.placed_at))
  WITH NO DATA;

-- @case dump_refresh_matview
-- @expect objects=public.daily_sales
REFRESH MATERIALIZED VIEW public.daily_sales;

-- @case dump_comment_table
-- @expect classes=ddl
COMMENT ON TABLE public.customers IS 'People who ordered at least once; see ''orders''.';

-- @case dump_comment_column
-- @expect classes=ddl
COMMENT ON COLUMN public.customers.email IS 'Lower-cased on insert -- never NULL';

-- @case dump_rls_enable
-- @expect op=ALTER classes=ddl objects=public.orders
ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;

-- @case dump_create_policy
-- @expect op=CREATE classes=ddl functions=current_setting
CREATE POLICY orders_tenant ON public.orders USING ((customer_id = (current_setting('app.customer_id'::text))::bigint));

-- @case dump_revoke_schema
-- @expect op=GRANT classes=grant
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- @case dump_grant_schema
-- @expect op=GRANT classes=grant
GRANT USAGE ON SCHEMA public TO reporting;

-- @case dump_grant_table
-- @expect op=GRANT classes=grant objects=public.order_totals
GRANT SELECT ON TABLE public.order_totals TO reporting;

-- @case dump_default_privileges
-- @expect classes=grant
ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT SELECT ON TABLES TO reporting;

-- @case dump_large_object
-- @expect op=SELECT functions=lo_create
SELECT pg_catalog.lo_create('16500');

-- @case dump_set_session_authorization
-- @expect op=SET classes=admin
SET SESSION AUTHORIZATION 'app';

-- @case dump_reset_session_authorization
-- @expect op=SET
RESET SESSION AUTHORIZATION;

-- @case dump_set_search_path
-- @expect op=SET
SET search_path = shop, pg_catalog;

-- @case dump_create_table_like
-- @expect op=CREATE classes=ddl objects=public.customers_archive,public.customers
CREATE TABLE public.customers_archive (LIKE public.customers INCLUDING ALL);

-- @case dump_create_table_inherits
-- @expect op=CREATE classes=ddl objects=public.vip_customers,public.customers
CREATE TABLE public.vip_customers (
    tier smallint DEFAULT 1
)
INHERITS (public.customers);

-- @case dump_create_collation
-- @expect op=CREATE classes=ddl
CREATE COLLATION public.case_insensitive (provider = icu, deterministic = false, locale = 'und-u-ks-level2');

-- @case dump_create_domain
-- @expect op=CREATE classes=ddl
CREATE DOMAIN public.email AS text
	CONSTRAINT email_check CHECK ((VALUE ~ '^[^@\s]+@[^@\s]+$'::text));

-- @case dump_create_aggregate
-- @expect op=CREATE classes=ddl
CREATE AGGREGATE public.array_accum(anycompatible) (
    SFUNC = array_append,
    STYPE = anycompatiblearray,
    INITCOND = '{}'
);

-- @case dump_create_foreign_table
-- @expect op=CREATE classes=ddl objects=public.remote_orders
CREATE FOREIGN TABLE public.remote_orders (
    id bigint,
    total numeric
)
SERVER warehouse
OPTIONS (schema_name 'public', table_name 'orders');
