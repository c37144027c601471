/* The dnsvet command line: one function per subcommand, dispatched by main.c. */
#ifndef DNSVET_CLI_H
#define DNSVET_CLI_H

/* Each returns the process exit status: 0 success, 1 the check or test found problems,
 * 2 usage or setup error. argv[0] is the subcommand's name. */
int cmd_rules(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_records(int argc, char **argv);
int cmd_trace(int argc, char **argv);

#endif
