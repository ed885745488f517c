-- The table TransactionalHedgeDatabaseTests writes to: one row per runner of a hedged call.
create table reservation (sku varchar(32) not null, runner int not null);
