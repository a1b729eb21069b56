load helpers
load ../criu-helpers
load checkpoint-helpers
load migrate-helpers

@test "scratch negative checks" {
  mg_cfg_idle
  mg_bundles
  old=$(mg_run_a "$TAG")
  mg_assert_thawed $old
  hrA pause "$TAG"
  run mg_assert_thawed $old
  echo "paused: $status $output" >&2
  [ "$status" -ne 0 ]
  hrA resume "$TAG"
  mg_assert_thawed $old
  mg_assert_b_clean
  mkdir $ROOT_B/.x; touch $ROOT_B/.x/pages-1.img
  mkdir $ROOT_B/leftover
  run mg_assert_b_clean
  echo "leftover: $status $output" >&2
  [ "$status" -ne 0 ]
  run mg_assert_cgroup $old $MG_CG_B
  echo "cg: $status $output" >&2
  [ "$status" -ne 0 ]
  rm -rf $ROOT_B/leftover $ROOT_B/.x
  run mg_end
  echo "end with running A: $status $output" >&2
}
